from toys.server import main

raise SystemExit(main())
