// The seeded generator is part of the tensor API: initialisers, dropout and data all take it.
@_exported import Randomness
