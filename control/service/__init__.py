"""The service wiring: settings, logging, the command line, ``serve``, the offline ``render`` and
the demo. The only package that imports the engine (:mod:`compositor`), the app and the store
together.
"""
