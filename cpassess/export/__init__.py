"""Export: the case-conference PDF, its signatures and their verification (DESIGN §9).

The only package that imports reportlab and pyHanko, and only when a PDF is wanted: importing
`cpassess.export` itself costs nothing, the heavy modules load on first use.
"""
