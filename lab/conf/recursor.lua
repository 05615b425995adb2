-- Trust anchors of the lab's PowerDNS Recursor. The real root's DS records are compiled in:
-- drop them, then trust only the lab root's DS. lab.sh replaces @DS@ with its rdata.
clearTA('.')
addTA('.', '@DS@')
