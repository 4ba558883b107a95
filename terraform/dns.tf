data "aws_route53_zone" "platform" {
  name         = coalesce(var.route53_zone_name, var.platform_domain)
  private_zone = false
}

# One certificate for the apex (public site, console) and every business subdomain. A wildcard
# does not cover the apex, so both names are on it.
resource "aws_acm_certificate" "platform" {
  domain_name               = var.platform_domain
  subject_alternative_names = ["*.${var.platform_domain}"]
  validation_method         = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

# ACM asks for the same validation record for a name and its wildcard, so one record proves both.
locals {
  cert_validation = one([
    for option in aws_acm_certificate.platform.domain_validation_options : option
    if option.domain_name == var.platform_domain
  ])
}

resource "aws_route53_record" "cert_validation" {
  zone_id         = data.aws_route53_zone.platform.zone_id
  name            = local.cert_validation.resource_record_name
  type            = local.cert_validation.resource_record_type
  records         = [local.cert_validation.resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "platform" {
  certificate_arn         = aws_acm_certificate.platform.arn
  validation_record_fqdns = [aws_route53_record.cert_validation.fqdn]
}
