"""Everything the Vestibule Lambdas run: Chalice packages this folder with app.py."""
