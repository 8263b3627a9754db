"""A rate limiter shared by every worker, kept in Redis.

Chat robots limit how fast a group may be posted to (DingTalk and WeCom: 20 a minute; Feishu: 5 a second
and 100 a minute). A per-process limiter would let four workers post four times too fast, so the
windows live in Redis and are checked and updated atomically by one Lua script.
"""

import time
import uuid

import redis
from django.conf import settings

# Sliding-window log: one sorted set per (key, window), scored by time. The script either records
# the send in every window and returns 0, or records nothing and returns how many milliseconds to wait.
_ACQUIRE = """
local now = tonumber(ARGV[1])
local member = ARGV[2]
local wait = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[1 + 2 * i])
  local window = tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= limit then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    local until_free = tonumber(oldest[2]) + window - now
    if until_free > wait then wait = until_free end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[2 + 2 * i])
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, window)
end
return 0
"""

# Limits per platform: (sends, milliseconds). Tests may scale them down through settings.
PLATFORM_LIMITS = {
    "dingtalk": ((20, 60_000),),
    "wecom": ((20, 60_000),),
    "feishu": ((5, 1_000), (100, 60_000)),
    "slack": ((1, 1_000),),
    "webhook": ((60, 60_000),),
}


def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)


class RateLimiter:
    def __init__(self, name: str, limits: tuple[tuple[int, int], ...], client: redis.Redis | None = None):
        self.keys = [f"ratelimit:{name}:{window}" for _count, window in limits]
        self.limits = limits
        self.client = client or _client()
        self._script = self.client.register_script(_ACQUIRE)

    def try_acquire(self) -> float:
        """0 when a send may go now (and is counted), else the seconds to wait before trying again."""
        args = [int(time.time() * 1000), uuid.uuid4().hex]
        for count, window in self.limits:
            args += [count, window]
        return int(self._script(keys=self.keys, args=args)) / 1000


def limiter_for(platform: str, robot_id: int | str) -> RateLimiter:
    limits = getattr(settings, "ROBOT_RATE_LIMITS", {}).get(platform) or PLATFORM_LIMITS[platform]
    return RateLimiter(f"{platform}:{robot_id}", limits)
