"""webapp2 on App Engine (Python 2): one bearer handler, one sign-in handler that opens a session."""
# corpus: class=7 provider=google
import logging

import webapp2
from google.auth.transport import requests
from google.oauth2 import id_token

CLIENT_ID = '1234-web.apps.googleusercontent.com'


class ApiHandler(webapp2.RequestHandler):
    def get(self):
        raw = self.request.headers['Authorization'][len('Bearer '):]
        # expect: id-token-bearer
        info = id_token.verify_oauth2_token(raw, requests.Request(), CLIENT_ID)
        logging.info("api call by %s", info['email'])
        self.response.write(info['email'])


class SignInHandler(webapp2.RequestHandler):
    def post(self):
        credential = self.request.POST['credential']
        # expect: id-token-login
        info = id_token.verify_oauth2_token(credential, requests.Request(), CLIENT_ID)
        self.session['user'] = info['sub']
        print "signed in", info['sub']
        self.redirect('/')
