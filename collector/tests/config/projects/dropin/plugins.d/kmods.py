# a project's own kmods plugin
