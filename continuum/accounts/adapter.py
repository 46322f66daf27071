from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Staff join by invitation and families through an intake request; an open
        # sign-up page would only create accounts that belong to no organization.
        return False
