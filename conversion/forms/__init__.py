"""The conversion app's forms, one module per part of the product. They parse; the rules live
in conversion.services."""
