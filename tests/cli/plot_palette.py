#!/usr/bin/env python3
"""Checks the palette of scripts/plot/style.gp: no two series share a colour
or a point type, every colour shows on white, and every pair of colours stays
apart (CIEDE2000) for normal vision and under simulated protanopia,
deuteranopia and tritanopia (Machado, Oliveira and Fernandes 2009, severity
1, applied in linear RGB). Usage: plot_palette.py STYLE.gp; exit 1 with one
line per problem.
"""
import itertools
import math
import re
import sys

# The series a default `make bench` draws together: six models and the three
# GIL policies of threads it runs. They must stay furthest apart.
DEFAULT = ["serial", "threads_new", "threads_legacy", "threads_none", "processes",
           "greenlets", "asyncio", "callbacks"]
MIN_ALL, MIN_DEFAULT, MIN_WHITE = 7.0, 10.0, 25.0

M = {
 'normal': [[1,0,0],[0,1,0],[0,0,1]],
 'protan': [[0.152286,1.052583,-0.204868],[0.114503,0.786281,0.099216],[-0.003882,-0.048116,1.051998]],
 'deutan': [[0.367322,0.860646,-0.227968],[0.280085,0.672501,0.047413],[-0.011820,0.042940,0.968881]],
 'tritan': [[1.255528,-0.076749,-0.178779],[-0.078411,0.930809,0.147602],[0.004733,0.691367,0.303900]],
}
def lin(c): c/=255; return c/12.92 if c<=0.04045 else ((c+0.055)/1.055)**2.4
def lab(rgb):
    r,g,b=rgb
    X=0.4124*r+0.3576*g+0.1805*b; Y=0.2126*r+0.7152*g+0.0722*b; Z=0.0193*r+0.1192*g+0.9505*b
    xn,yn,zn=0.95047,1.0,1.08883
    f=lambda t: t**(1/3) if t>0.008856 else 7.787*t+16/116
    fx,fy,fz=f(X/xn),f(Y/yn),f(Z/zn)
    return (116*fy-16, 500*(fx-fy), 200*(fy-fz))
def de2000(l1,l2):
    L1,a1,b1=l1;L2,a2,b2=l2
    C1=math.hypot(a1,b1);C2=math.hypot(a2,b2);Cb=(C1+C2)/2
    G=0.5*(1-math.sqrt(Cb**7/(Cb**7+25**7)))
    a1p,a2p=(1+G)*a1,(1+G)*a2
    C1p,C2p=math.hypot(a1p,b1),math.hypot(a2p,b2)
    h1p=math.degrees(math.atan2(b1,a1p))%360;h2p=math.degrees(math.atan2(b2,a2p))%360
    dLp=L2-L1;dCp=C2p-C1p
    dh=h2p-h1p
    if C1p*C2p==0: dh=0
    elif dh>180: dh-=360
    elif dh<-180: dh+=360
    dHp=2*math.sqrt(C1p*C2p)*math.sin(math.radians(dh/2))
    Lbp=(L1+L2)/2;Cbp=(C1p+C2p)/2
    if C1p*C2p==0: hbp=h1p+h2p
    elif abs(h1p-h2p)<=180: hbp=(h1p+h2p)/2
    elif h1p+h2p<360: hbp=(h1p+h2p+360)/2
    else: hbp=(h1p+h2p-360)/2
    T=1-0.17*math.cos(math.radians(hbp-30))+0.24*math.cos(math.radians(2*hbp))+0.32*math.cos(math.radians(3*hbp+6))-0.20*math.cos(math.radians(4*hbp-63))
    dth=30*math.exp(-((hbp-275)/25)**2)
    RC=2*math.sqrt(Cbp**7/(Cbp**7+25**7))
    SL=1+0.015*(Lbp-50)**2/math.sqrt(20+(Lbp-50)**2);SC=1+0.045*Cbp;SH=1+0.015*Cbp*T
    RT=-math.sin(math.radians(2*dth))*RC
    return math.sqrt((dLp/SL)**2+(dCp/SC)**2+(dHp/SH)**2+RT*(dCp/SC)*(dHp/SH))
def sim(hexc, m):
    v=[lin(int(hexc[i:i+2],16)) for i in (0,2,4)]
    o=[max(0,min(1,sum(m[r][k]*v[k] for k in range(3)))) for r in range(3)]
    return lab(o)


def main():
    text = open(sys.argv[1]).read().replace("\\\n", " ")
    keys = " ".join(re.findall(r'"([^"]*)"', re.search(r"^gb_keys\s*=(.*)$", text, re.M)
                                                .group(1))).split()
    rgb = re.search(r"array gb_rgb_arr\[(\d+)\]\s*=\s*\[([^\]]*)\]", text)
    pts = re.search(r"array gb_pt_arr\[(\d+)\]\s*=\s*\[([^\]]*)\]", text)
    colours = ["%06X" % int(c.strip(), 16) for c in rgb.group(2).split(",")]
    points = [int(p) for p in pts.group(2).split(",")]
    names = keys + ["other"]
    bad = []
    if not (len(colours) == len(points) == len(names) == int(rgb.group(1)) == int(pts.group(1))):
        bad.append("gb_keys, gb_rgb_arr and gb_pt_arr do not have one entry per series (+ other)")
        names = names[:min(len(colours), len(points))]
    pal = dict(zip(names, colours))
    for a, b in itertools.combinations(names, 2):
        if pal[a] == pal[b]:
            bad.append("%s and %s share the colour #%s" % (a, b, pal[a]))
        if points[names.index(a)] == points[names.index(b)]:
            bad.append("%s and %s share point type %d" % (a, b, points[names.index(a)]))
    white = lab([1.0, 1.0, 1.0])
    for k in names:
        d = de2000(white, sim(pal[k], M["normal"]))
        if d < MIN_WHITE:
            bad.append("%s #%s is too pale on white (dE %.1f < %.0f)" % (k, pal[k], d, MIN_WHITE))
    for vision, m in M.items():
        for a, b in itertools.combinations(names, 2):
            d = de2000(sim(pal[a], m), sim(pal[b], m))
            floor = MIN_DEFAULT if a in DEFAULT and b in DEFAULT else MIN_ALL
            if d < floor:
                bad.append("%s #%s and %s #%s: dE %.1f < %.0f for %s vision"
                           % (a, pal[a], b, pal[b], d, floor, vision))
    for line in bad:
        print(line)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
