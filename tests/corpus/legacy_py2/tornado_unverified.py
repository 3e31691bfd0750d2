"""Tornado handler on Python 2 that reads the token's claims without checking the signature."""
# corpus: class=7 provider=generic
import jwt
import tornado.web


class MeHandler(tornado.web.RequestHandler):
    def get(self):
        token = self.request.headers.get('Authorization', '').replace('Bearer ', '')
        # expect: unverified-decode
        claims = jwt.decode(token, verify=False)
        if claims.get('sub') is None:
            raise tornado.web.HTTPError(401)
        print "user", claims['sub']
        self.write({'sub': claims['sub']})
