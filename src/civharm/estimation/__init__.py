"""Multiple systems estimation: how many victims no list documented, with honest uncertainty.

Pure Python (numpy/scipy): capture histories in, estimates with intervals and plain-language
warnings out. Never imports Django and never sees a name.
"""
