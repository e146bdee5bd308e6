"""The hotline's own desk: reports from the person harmed, a guardian or school staff; the hotline's criteria; notices to platforms and follow-up (issue 14)."""
