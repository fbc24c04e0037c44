"""The read-only API for clinics (/api/v1/): serializers (what each record says), views,
policies (rate limit, pages) and urls."""
