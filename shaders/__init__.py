"""The GLSL programs, one ``.glsl`` file each, shipped with the package as data.

:func:`compositor.gl.shaders.load_program` reads them from here through ``importlib.resources``,
so an installed wheel finds them as a checkout does.
"""
