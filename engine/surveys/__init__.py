"""The survey of an initiative: building it, answering it (online and on paper), its results."""
