"""cpassess: neglect and GIRFEC wellbeing assessments for child protection in Scotland (the Qt-free core)."""

__version__ = "0.1.0"
