"""The roster domain: columns, identity numbers, working days, cleaning,
rules, reading, the template workbook, exports and the review workflow.

Plain Python: nothing here imports Flask or peewee, so every piece is tested
without a server or a database.
"""
