// Module Scenario.
