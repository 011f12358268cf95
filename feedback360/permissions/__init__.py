"""360 relationship rules, one module per area (cycles, nomination, reviewer), each a
Scope or check built on people.permissions, written once and asked of its owner."""
