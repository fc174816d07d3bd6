from itscm_compiler.cli import main

main()
