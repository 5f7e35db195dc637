"""Intelligence: identifiers in referrals, links between referrals, country of action, routing."""
