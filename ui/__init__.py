"""The PySide6 desktop application. Imports cpassess; holds no business rules."""
