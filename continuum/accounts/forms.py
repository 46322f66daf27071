from allauth.account.forms import LoginForm as AllauthLoginForm


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The page offers "Forgot your password?" beside the button, as a full-size target;
        # allauth's copy inside the field's help text is a small inline link (WCAG 2.5.8).
        self.fields["password"].help_text = ""
