"""Gatehouse's URLs plus stock simplejwt's views under /bench/stock/."""
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts.serializers import UserSerializer


class StockMeView(APIView):
    authentication_classes = [JWTAuthentication]

    def get(self, request):
        return Response(UserSerializer(request.user).data)


stock = [
    path("login/", TokenObtainPairView.as_view(authentication_classes=[])),
    path("refresh/", TokenRefreshView.as_view(authentication_classes=[])),
    path("me/", StockMeView.as_view()),
]

urlpatterns = [path("bench/stock/", include(stock)), path("", include("backend.urls"))]
