// Module KV.
