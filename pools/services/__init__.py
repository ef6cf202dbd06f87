"""The pools app's services: pools and membership (pool), moving leads in and out
(claim), the assignment rules (rules) and routing new leads by them (routing), reclaiming
leads that broke their pool's rules (reclaim); events and notifications (events)."""
