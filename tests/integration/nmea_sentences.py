"""NMEA sentences for the test receivers: checksums, and one second's RMC/GGA/ZDA cycle."""
import datetime


def checksummed(body):
    c = 0
    for ch in body:
        c ^= ord(ch)
    return "$%s*%02X\r\n" % (body, c)


def cycle(second):
    """RMC, GGA and ZDA naming the UTC second `second` (Unix time), with a 3D fix."""
    d = datetime.datetime.fromtimestamp(second, datetime.timezone.utc)
    hms = d.strftime("%H%M%S") + ".00"
    return [
        checksummed("GPRMC,%s,A,4404.13387,N,12118.85628,W,0.029,,%s,,,A" % (hms, d.strftime("%d%m%y"))),
        checksummed("GPGGA,%s,4404.13387,N,12118.85628,W,1,12,1.01,1144.8,M,-21.4,M,," % hms),
        checksummed("GPZDA,%s,%s,00,00" % (hms, d.strftime("%d,%m,%Y"))),
    ]
