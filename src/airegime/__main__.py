from airegime.cli import main

main()
