from panhuo.cli import main

raise SystemExit(main())
