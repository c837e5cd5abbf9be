# The gateway keeps no tables: jobs record what was sent and received (apps.generations).
