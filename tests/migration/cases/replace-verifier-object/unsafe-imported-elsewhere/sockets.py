from api import tv


async def on_connect(scope):
    protocol = dict(scope["headers"]).get(b"sec-websocket-protocol", b"").decode()
    return tv.verify(protocol)
