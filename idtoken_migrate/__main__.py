from idtoken_migrate.cli import main

main()
