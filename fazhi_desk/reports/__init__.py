"""Reports sent out of the program: the annual report workbook and the evidence package (no Qt)."""
