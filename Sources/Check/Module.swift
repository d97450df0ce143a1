// Module Check.
