from toys.process.main import main

raise SystemExit(main())
