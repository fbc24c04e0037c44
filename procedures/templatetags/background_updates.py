"""The admin home page's box of background updates of pages (procedures.admin.background)."""

from django import template

from procedures.admin.background import updates_to_show

register = template.Library()


@register.inclusion_tag("admin/procedures/renderjob/index_box.html", takes_context=True)
def background_updates(context):
    return {"updates": updates_to_show(context["request"].user)}
