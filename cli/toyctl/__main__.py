from toyctl.app import main

raise SystemExit(main())
