from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "shared_apps.users"
    label = "users"
    verbose_name = "Users"
