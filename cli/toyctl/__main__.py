from toyctl.app import entry

entry()
