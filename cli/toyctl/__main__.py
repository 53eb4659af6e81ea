from toyctl.launch import entry

entry()
