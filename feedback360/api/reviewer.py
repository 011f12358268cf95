"""The rater's API: the same link token, sent as `Authorization: Rater <token>` or
`X-Rater-Token: <token>`, reads the questionnaire, saves a draft, submits, declines
and stops reminders. The rater is a principal of its own: no session or API token
reaches these actions (no role holds `answer_as_rater`), and a rater token reaches
nothing else (nothing else accepts it). Writes call the same services as the pages.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.urls import path
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import authentication, exceptions, permissions, serializers, status, viewsets
from rest_framework.response import Response

from feedback360.permissions.reviewer import ANSWER_AS_RATER, LinkState, RaterPrincipal
from feedback360.selectors.reviewer import rater_form, rater_link_find, who_sees_what
from feedback360.services import reviewer as services
from people.api.permissions import declared_permission
from people.bounds import NOTE_LENGTH

KEYWORD = "Rater"
CLOSED_MESSAGES = {
    LinkState.ANSWERED: "This link's feedback was already submitted; answers are final.",
    LinkState.DECLINED: "This request was declined.",
    LinkState.WITHDRAWN: "This request is no longer needed.",
    LinkState.CLOSED: "This feedback cycle has closed.",
}


class RaterTokenAuthentication(authentication.BaseAuthentication):
    """`request.auth` becomes a RaterPrincipal. An unknown (altered, guessed) token is a
    401; a known one whose link no longer works is let through so the view can say
    why with a 410."""

    def authenticate(self, request):
        raw = request.META.get("HTTP_X_RATER_TOKEN", "")
        header = authentication.get_authorization_header(request).decode(errors="replace")
        parts = header.split()
        if parts and parts[0] == KEYWORD:
            if len(parts) != 2:
                raise exceptions.AuthenticationFailed(
                    "Send the header as 'Authorization: Rater <token>'."
                )
            raw = parts[1]
        if not raw:
            return None
        principal = rater_link_find(token=raw)
        if principal.state == LinkState.UNKNOWN:
            raise exceptions.AuthenticationFailed("This rater link is not recognised.")
        return AnonymousUser(), principal

    def authenticate_header(self, request):
        return KEYWORD


class HasRaterLink(permissions.BasePermission):
    """Deny by default, as HasOrgPermission: the action must declare `answer_as_rater`
    and the caller must hold a rater link."""

    message = "This needs a rater link: send 'Authorization: Rater <token>'."

    def has_permission(self, request, view) -> bool:
        name = declared_permission(view, getattr(view, "action", None) or "")
        if name == ANSWER_AS_RATER and isinstance(request.auth, RaterPrincipal):
            return True
        # A 403, as for any principal a route does not accept (a 401 would invite a
        # signed-in member to authenticate again); an unrecognised link is the 401.
        raise exceptions.PermissionDenied(self.message)


class RaterAnswerSerializer(serializers.Serializer):
    item = serializers.SlugField(max_length=80)
    value = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    not_observed = serializers.BooleanField(required=False, default=False)
    text = serializers.CharField(
        max_length=NOTE_LENGTH, required=False, allow_blank=True, trim_whitespace=True
    )

    def validate(self, attrs):
        if attrs.get("not_observed") and attrs.get("value") is not None:
            raise serializers.ValidationError(
                {"not_observed": "Give a rating or 'not observed', not both."}
            )
        return attrs


class RaterAnswersSerializer(serializers.Serializer):
    answers = RaterAnswerSerializer(many=True, max_length=500, required=False, default=list)


class RaterDeclineSerializer(serializers.Serializer):
    # Accepted so an integration may send it; never stored.
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class RaterItemSerializer(serializers.Serializer):
    item = serializers.SlugField()
    kind = serializers.ChoiceField(choices=["rating", "open"])
    text = serializers.CharField()
    competency = serializers.CharField(required=False)
    anchors = serializers.DictField(child=serializers.CharField(), required=False)
    not_observed_allowed = serializers.BooleanField(required=False)
    value = serializers.IntegerField(allow_null=True, required=False)
    not_observed = serializers.BooleanField(required=False)
    answer = serializers.CharField(required=False, help_text="Open questions: the saved text.")


class WhoSeesWhatSerializer(serializers.Serializer):
    identified = serializers.BooleanField(help_text="The manager's answers carry their name.")
    group_threshold = serializers.IntegerField(allow_null=True)
    overall_threshold = serializers.IntegerField(allow_null=True)


class RaterFormSerializer(serializers.Serializer):
    subject = serializers.CharField()
    group = serializers.CharField()
    closes_on = serializers.DateField()
    who_sees_what = WhoSeesWhatSerializer()
    answered = serializers.IntegerField()
    total = serializers.IntegerField()
    items = RaterItemSerializer(many=True)


class RaterStatusSerializer(serializers.Serializer):
    status = serializers.CharField()


class RaterTokenScheme(OpenApiAuthenticationExtension):
    target_class = "feedback360.api.reviewer.RaterTokenAuthentication"
    name = "raterLink"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Rater-Token",
            "description": "The token of a 360 rater's emailed link (also accepted as "
            "'Authorization: Rater <token>'). It opens only the /360/rater/ actions.",
        }


READ_SCHEMA = extend_schema(responses={200: RaterFormSerializer})
WRITE_SCHEMA = extend_schema(request=RaterAnswersSerializer, responses={200: RaterFormSerializer})
SUBMIT_SCHEMA = extend_schema(
    request=RaterAnswersSerializer, responses={200: RaterStatusSerializer}
)
DECLINE_SCHEMA = extend_schema(
    request=RaterDeclineSerializer, responses={200: RaterStatusSerializer}
)
UNSUBSCRIBE_SCHEMA = extend_schema(request=None, responses={200: RaterStatusSerializer})


class RaterLinkViewSet(viewsets.ViewSet):
    authentication_classes = [RaterTokenAuthentication]
    permission_classes = [HasRaterLink]
    permissions = {
        "list": ANSWER_AS_RATER,
        "draft": ANSWER_AS_RATER,
        "submit": ANSWER_AS_RATER,
        "decline": ANSWER_AS_RATER,
        "unsubscribe": ANSWER_AS_RATER,
    }

    def _open_assignment(self):
        principal: RaterPrincipal = self.request.auth
        if principal.state != LinkState.OPEN:
            raise Gone(CLOSED_MESSAGES[principal.state])
        return principal.assignment

    @READ_SCHEMA
    def list(self, request):
        """The questionnaire as the rater sees it, who will see what, and their draft."""
        assignment = self._open_assignment()
        form = rater_form(assignment=assignment)
        who = who_sees_what(assignment=assignment)
        items = [
            {
                "item": item.key,
                "kind": "rating",
                "competency": group.name,
                "text": item.text,
                "anchors": dict(item.anchors),
                "not_observed_allowed": item.not_observed,
                "value": int(item.current) if item.current and item.current.isdigit() else None,
                "not_observed": item.current == services.NOT_OBSERVED,
            }
            for group in form.groups
            for item in group.items
        ] + [
            {"item": item.key, "kind": "open", "text": item.text, "answer": item.current_text}
            for item in form.open_items
        ]
        return Response(
            {
                "subject": who.subject_name,
                "group": who.group,
                "closes_on": assignment.cycle.closes_on,
                "who_sees_what": {
                    "identified": who.identified,
                    "group_threshold": who.threshold,
                    "overall_threshold": who.overall_threshold,
                },
                "answered": form.answered,
                "total": form.total,
                "items": items,
            }
        )

    def _answers(self, request, assignment):
        serializer = RaterAnswersSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ratings, texts = {}, {}
        for answer in serializer.validated_data["answers"]:
            key = answer["item"]
            if "text" in answer and answer.get("value") is None and not answer["not_observed"]:
                texts[key] = answer["text"]
            elif answer["not_observed"]:
                ratings[key] = services.NOT_OBSERVED
            else:
                ratings[key] = "" if answer.get("value") is None else str(answer["value"])
        answers, errors = services.answers_parse(
            assignment=assignment, ratings=ratings, texts=texts
        )
        if errors:
            raise serializers.ValidationError({"answers": errors})
        return answers

    @WRITE_SCHEMA
    def draft(self, request):
        assignment = self._open_assignment()
        answers = self._answers(request, assignment)
        try:
            services.response_draft_save(assignment=assignment, answers=answers)
        except services.LinkNotOpen as exc:
            raise Gone(CLOSED_MESSAGES[exc.state]) from None
        return self.list(request)

    @SUBMIT_SCHEMA
    def submit(self, request):
        assignment = self._open_assignment()
        answers = self._answers(request, assignment)
        try:
            services.response_submit(assignment=assignment, answers=answers)
        except services.LinkNotOpen as exc:
            raise Gone(CLOSED_MESSAGES[exc.state]) from None
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return Response({"status": "submitted"}, status=status.HTTP_200_OK)

    @DECLINE_SCHEMA
    def decline(self, request):
        assignment = self._open_assignment()
        RaterDeclineSerializer(data=request.data).is_valid(raise_exception=True)
        try:
            services.rater_decline(assignment=assignment)
        except services.LinkNotOpen as exc:
            raise Gone(CLOSED_MESSAGES[exc.state]) from None
        return Response({"status": "declined"})

    @UNSUBSCRIBE_SCHEMA
    def unsubscribe(self, request):
        assignment = self._open_assignment()
        try:
            services.rater_unsubscribe(assignment=assignment)
        except services.LinkNotOpen as exc:
            raise Gone(CLOSED_MESSAGES[exc.state]) from None
        return Response({"status": "unsubscribed"})


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This rater link no longer works."
    default_code = "gone"


urlpatterns = [
    path("360/rater/", RaterLinkViewSet.as_view({"get": "list"}), name="rater-link"),
    path("360/rater/draft/", RaterLinkViewSet.as_view({"post": "draft"}), name="rater-draft"),
    path("360/rater/submit/", RaterLinkViewSet.as_view({"post": "submit"}), name="rater-submit"),
    path("360/rater/decline/", RaterLinkViewSet.as_view({"post": "decline"}), name="rater-decline"),
    path(
        "360/rater/unsubscribe/",
        RaterLinkViewSet.as_view({"post": "unsubscribe"}),
        name="rater-unsubscribe",
    ),
]
