from eval.runner import main

raise SystemExit(main())
