from ssogen.cli import main

raise SystemExit(main())
