"""Power Platform restore and copy: rules, validation, operations on the clock, data and code as of an instant."""
