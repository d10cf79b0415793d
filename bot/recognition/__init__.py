"""Recognising danger, crisis and topics in what a man types, whatever his wording.

Words and rules are data volunteers review (flows/herkenning/); this package turns them into
a matcher (lexicon.py, rules.py) with no I/O, reads them (load.py) and measures them on the
labelled corpus (evaluate.py).
"""
