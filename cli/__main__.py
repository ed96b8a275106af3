from xunjian.cli import main

main()
