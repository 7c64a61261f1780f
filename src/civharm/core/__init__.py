"""Pure-Python building blocks: taxonomies, gazetteer, precision types, text, hashing.

Never imports Django.
"""
