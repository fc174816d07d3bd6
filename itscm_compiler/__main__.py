from itscm_compiler.cli import run

run()
