from toys.process.server import main

raise SystemExit(main())
