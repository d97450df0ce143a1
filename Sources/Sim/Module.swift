// Module Sim.
