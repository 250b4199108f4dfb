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


LIES = ["day-ahead", "hour-ahead-gga", "simulator-mode", "negative-hour", "november-31",
        "zda-2263", "talkers-disagree", "two-digit-99"]


def lie(second, kind):
    """One cycle, checksum-valid, in which the receiver lies in the way `kind` names."""
    d = datetime.datetime.fromtimestamp(second, datetime.timezone.utc)
    hms = d.strftime("%H%M%S") + ".00"
    ddmmyy = d.strftime("%d%m%y")
    if kind == "day-ahead":
        return cycle(second + 86400)
    if kind == "hour-ahead-gga":
        return [cycle(second + 3600)[1]]
    if kind == "simulator-mode":  # a receiver's demo mode, an hour off
        h = datetime.datetime.fromtimestamp(second + 3600, datetime.timezone.utc)
        hh = h.strftime("%H%M%S") + ".00"
        return [checksummed("GPRMC,%s,A,4404.13387,N,12118.85628,W,0.029,,%s,,,S" % (hh, h.strftime("%d%m%y"))),
                checksummed("GPGGA,%s,4404.13387,N,12118.85628,W,8,12,1.01,1144.8,M,-21.4,M,," % hh)]
    if kind == "negative-hour":
        return [checksummed("GPRMC,-1%s,A,4404.13387,N,12118.85628,W,0.029,,%s,,,A" % (hms[2:], ddmmyy))]
    if kind == "november-31":
        return [checksummed("GPRMC,%s,A,4404.13387,N,12118.85628,W,0.029,,3111%s,,,A" % (hms, ddmmyy[4:]))]
    if kind == "zda-2263":
        return [checksummed("GPZDA,%s,%s,2263,00,00" % (hms, d.strftime("%d,%m")))]
    if kind == "talkers-disagree":  # GN a second ahead of GP within one cycle
        gga_body = cycle(second + 1)[1][1:-5].replace("GPGGA", "GNGGA", 1)
        return [cycle(second)[0], checksummed(gga_body)]
    if kind == "two-digit-99":
        return [checksummed("GPRMC,%s,A,4404.13387,N,12118.85628,W,0.029,,%s99,,,A" % (hms, ddmmyy[:4]))]
    raise ValueError(kind)

