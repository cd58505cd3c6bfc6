from shopsync.cli import main

main()
